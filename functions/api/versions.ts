/**
 * Dated API versions (`Aviaframe-Version: YYYY-MM-DD`, CONTRACT.md §3 "Versioning"). A
 * request without the header gets the current version; every response names the version it
 * was answered in. A new version is added here, newest last, with its entry in CHANGELOG.md.
 */
export const API_VERSIONS = ["2026-11-30"] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

export const CURRENT_API_VERSION: ApiVersion = API_VERSIONS[API_VERSIONS.length - 1] ?? "2026-11-30";

export const VERSION_HEADER = "aviaframe-version";

export const isApiVersion = (value: string): value is ApiVersion => (API_VERSIONS as readonly string[]).includes(value);
