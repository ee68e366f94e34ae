/** Where the versioned HTTP API is mounted: the server registers its routes under it, every client prefixes it. */
export const API_PREFIX = '/api/v1';
