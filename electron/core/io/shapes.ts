/**
 * The import/export choices the contract validates. Kept free of Node modules: the contract is
 * bundled into the sandboxed preload, which can load nothing but Electron.
 */
import { z } from 'zod';
import { QUEUE_STATES } from '../queue';
import { TOKEN_SORT_FIELDS } from '../token';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Column headers of a CSV or XLSX export: words for people (the default of the window and the CLI)
 * or the API's field names, for a file to import again. JSON keys are always the API's.
 */
export const EXPORT_HEADERS = ['human', 'api'] as const;
export type ExportHeaders = (typeof EXPORT_HEADERS)[number];

export { UID_FORMATS, type UidFormat } from '../uid';

/** The filters of the tokens screen: GET /v2/tokens's query without its paging. */
export const spiriiFiltersShape = z
  .object({
    search: z.string().trim().max(50).optional(),
    type: z.enum(['rfid', 'virtual', 'vehicleId']).optional(),
    customerId: z.number().int().min(1).optional(),
    isActive: z.boolean().optional(),
    roamingEnabled: z.boolean().optional(),
    priority: z.boolean().optional(),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    expiresFrom: z.iso.datetime({ offset: true }).optional(),
    sortBy: z.enum(TOKEN_SORT_FIELDS).optional(),
    sortDirection: z.enum(['asc', 'desc']).optional(),
  })
  .strict();
export type SpiriiFilters = z.infer<typeof spiriiFiltersShape>;

/** The local queue and its history: by state, customer, and a search in UID and label. */
export const localFiltersShape = z
  .object({
    states: z.array(z.enum(QUEUE_STATES)).max(5).optional(),
    customerId: z.number().int().min(1).optional(),
    search: z.string().trim().max(50).optional(),
  })
  .strict();
export type LocalFilters = z.infer<typeof localFiltersShape>;

/** What a files job is doing, for its progress line (the window words it in its language). */
export const FILES_STEPS = ['starting', 'reading', 'checking the queue', 'checking Spirii', 'reading Spirii', 'comparing', 'writing', 'done', 'failed', 'cancelled'] as const;
export type FilesStep = (typeof FILES_STEPS)[number];
