import * as v from './schema.js';

/** The two sides of a conversation. */
export const RoleSchema = v.picklist(['agent', 'customer']);
export type Role = v.InferOutput<typeof RoleSchema>;
