/** Shared by every provider so a run behaves the same whichever one the user picks. */
export const DEFAULT_MAX_RETRIES = 4;
/** Per attempt: generous because judges on reasoning models can think for a minute or more. */
export const DEFAULT_TIMEOUT_MS = 120_000;
