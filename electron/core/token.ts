/** The token as the Spirii API speaks it (../shared/spirii-api.md). */

export type TokenType = 'rfid' | 'virtual' | 'vehicleId';

export interface TokenIdentifier {
  type: TokenType;
  uid?: string;
  label?: string | null;
  appUserId?: number | null;
}

/** What `POST /v2/tokens` takes, one at a time or as a list. */
export interface TokenCreate {
  customerId: number;
  identifier: TokenIdentifier;
  validFrom?: string;
  expiresAt?: string | null;
  isActive?: boolean;
  roamingEnabled?: boolean;
  priorityChargingEnabled?: boolean;
  billingReference?: string | null;
  comment?: string | null;
}

/** A token as Spirii returns it. */
export interface SpiriiToken {
  id: number;
  customerId: number;
  identifier: TokenIdentifier;
  createdAt: string;
  updatedAt: string;
  validFrom: string;
  expiresAt: string | null;
  isActive: boolean;
  roamingEnabled: boolean;
  priorityChargingEnabled: boolean;
  billingReference: string | null;
  comment: string | null;
  tokenGroupIds?: number[];
}

/** What `PATCH /v2/tokens/{id}` may change. */
export interface TokenPatch {
  validFrom?: string;
  expiresAt?: string | null;
  isActive?: boolean;
  roamingEnabled?: boolean;
  priorityChargingEnabled?: boolean;
  billingReference?: string | null;
  comment?: string | null;
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
