/** The token as the Spirii API speaks it (../shared/spirii-api.md). */

export type TokenType = 'rfid' | 'virtual' | 'vehicleId';

export interface TokenIdentifier {
  type: TokenType;
  uid?: string;
  label?: string | null;
  appUserId?: number | null;
}

/**
 * What a token is sent with beside its card (UID, label) and customer: the same seven fields in a
 * tap's draft, the session's defaults, an import's row, an edit, Spirii's token and its export.
 */
export const TOKEN_SETTING_FIELDS = ['validFrom', 'expiresAt', 'isActive', 'roamingEnabled', 'priorityChargingEnabled', 'billingReference', 'comment'] as const;

/** Those fields as the desk keeps them (null: not set). */
export interface TokenSettings {
  validFrom: string | null;
  expiresAt: string | null;
  isActive: boolean;
  roamingEnabled: boolean;
  priorityChargingEnabled: boolean;
  billingReference: string | null;
  comment: string | null;
}

/** Those fields as a request body carries them (absent: Spirii's default, or unchanged). */
interface TokenSettingsBody {
  validFrom?: string;
  expiresAt?: string | null;
  isActive?: boolean;
  roamingEnabled?: boolean;
  priorityChargingEnabled?: boolean;
  billingReference?: string | null;
  comment?: string | null;
}

/** What `POST /v2/tokens` takes, one at a time or as a list. */
export interface TokenCreate extends TokenSettingsBody {
  customerId: number;
  identifier: TokenIdentifier;
}

/** A token as Spirii returns it (it always has a start of validity). */
export interface SpiriiToken extends TokenSettings {
  id: number;
  customerId: number;
  identifier: TokenIdentifier;
  createdAt: string;
  updatedAt: string;
  validFrom: string;
  tokenGroupIds?: number[];
}

/** What `PATCH /v2/tokens/{id}` may change. */
export interface TokenPatch extends TokenSettingsBody {
  customerId?: number;
  identifier?: { appUserId?: number | null };
}

export interface Customer {
  id: number;
  name: string;
  externalId: string | null;
}

export interface Page<T> {
  data: T[];
  count: number;
}

export interface CustomerPage extends Page<Customer> {
  limit: number;
  offset: number;
}

export const TOKEN_SORT_FIELDS = ['id', 'createdAt', 'updatedAt', 'validFrom', 'expiresAt'] as const;
export type TokenSortField = (typeof TOKEN_SORT_FIELDS)[number];

/** The query parameters of `GET /v2/tokens`. */
export interface TokenQuery {
  search?: string;
  type?: TokenType;
  customerId?: number;
  isActive?: boolean;
  roamingEnabled?: boolean;
  priority?: boolean;
  validFrom?: string;
  expiresFrom?: string;
  sortBy?: TokenSortField;
  sortDirection?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/** The documented length limit of billingReference and comment. */
export const TEXT_FIELD_MAX = 100;

/**
 * Characters a token's text (label, comment, billing reference) never holds: C0 and C1 controls
 * (newline, tab, ESC, BEL, …), DEL, and the bidi controls that make a list or a terminal show
 * the text in another order than it is stored. One rule for every way a text enters (a tap's
 * label, the defaults, an edit, an import), so what Spirii and the desk show is what was meant.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export const CONTROL_CHARACTERS_MESSAGE = 'must not contain control characters (line breaks, tabs, escape sequences or bidi controls)';

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** The first of a draft's texts that breaks the rule above, or null. */
export function controlCharacterField(texts: Record<string, string | null | undefined>): string | null {
  for (const [field, value] of Object.entries(texts)) if (typeof value === 'string' && hasControlCharacters(value)) return field;
  return null;
}
