// What the server receives as its `backlogLs` section. Pure: the caller passes VS Code's
// `inspect()` per key, so the precedence rules are unit-tested.
//
// Only values the user set are sent: a default sent by the editor would override the
// project's .backlog-ls.toml, which the server layers beneath the editor's settings.
//
// Beside the merged values go the user-level values alone (`userSettings`) and the workspace's
// trust (`workspaceTrusted`): a cloned repository writes its own .vscode/settings.json, so only
// the user's own values may say where credentials go (issues.tokenEnv, issues.trustedHosts, the
// host of issues.url), and an untrusted workspace gets no network and no credentials at all.

/** The scopes of `WorkspaceConfiguration.inspect()` that hold user-set values (defaultValue is left out on purpose). */
export interface InspectedValue {
    globalValue?: unknown;
    workspaceValue?: unknown;
    workspaceFolderValue?: unknown;
}

export const SECTION = 'backlogLs';

/** Settings for the extension itself, never sent to the server (it would report them as unknown keys). */
export const CLIENT_ONLY_KEYS: readonly string[] = ['interpreter', 'server', 'trace', 'status'];

export function isServerKey(key: string): boolean {
    const first = key.split('.')[0];
    return !CLIENT_ONLY_KEYS.includes(first);
}

/** The keys below `backlogLs.` that package.json contributes ("issues.provider", "rules", ...). */
export function contributedKeys(properties: Record<string, unknown>): string[] {
    const prefix = `${SECTION}.`;
    return Object.keys(properties)
        .filter((name) => name.startsWith(prefix))
        .map((name) => name.slice(prefix.length));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key (as VS Code merges object settings across scopes); anything else is replaced. */
function layer(lower: unknown, upper: unknown): unknown {
    if (isPlainObject(lower) && isPlainObject(upper)) {
        const merged: Record<string, unknown> = { ...lower };
        for (const [key, value] of Object.entries(upper)) {
            merged[key] = key in merged ? layer(merged[key], value) : value;
        }
        return merged;
    }
    return upper;
}

/** The value the user set for one key: folder over workspace over user; undefined when none is set. */
export function userValue(inspected: InspectedValue | undefined): unknown {
    if (inspected === undefined) {
        return undefined;
    }
    let value: unknown = undefined;
    for (const scoped of [inspected.globalValue, inspected.workspaceValue, inspected.workspaceFolderValue]) {
        if (scoped !== undefined && scoped !== null) {
            value = value === undefined ? scoped : layer(value, scoped);
        }
    }
    return value;
}

/** The value set in the user's own settings (not the workspace's, not a folder's); undefined when none. */
export function userLevelValue(inspected: InspectedValue | undefined): unknown {
    const value = inspected?.globalValue;
    return value === null ? undefined : value;
}

/**
 * The `backlogLs` section for the server: each server-bound key the user set, dotted keys as
 * nested objects ("issues.provider" -> {issues: {provider}}). `pick` chooses the value of one
 * key from its scopes: all of them merged (the default), or the user's own (`userLevelValue`).
 */
export function serverSettings(
    keys: readonly string[],
    inspect: (key: string) => InspectedValue | undefined,
    pick: (inspected: InspectedValue | undefined) => unknown = userValue,
): Record<string, unknown> {
    const settings: Record<string, unknown> = {};
    for (const key of keys) {
        if (!isServerKey(key)) {
            continue;
        }
        const value = pick(inspect(key));
        if (value === undefined) {
            continue;
        }
        const path = key.split('.');
        let target = settings;
        for (const part of path.slice(0, -1)) {
            if (!isPlainObject(target[part])) {
                target[part] = {};
            }
            target = target[part] as Record<string, unknown>;
        }
        const last = path[path.length - 1];
        target[last] = layer(target[last], value);
    }
    return settings;
}

/** The keys beside the settings that the server reads as markers (editor_settings.py). */
export const USER_SETTINGS_KEY = 'userSettings';
export const TRUST_KEY = 'workspaceTrusted';

/** What the server gets: the merged settings, the user's own apart, and whether the workspace is trusted. */
export function serverSection(
    keys: readonly string[],
    inspect: (key: string) => InspectedValue | undefined,
    workspaceTrusted: boolean,
): Record<string, unknown> {
    return {
        ...serverSettings(keys, inspect),
        [USER_SETTINGS_KEY]: serverSettings(keys, inspect, userLevelValue),
        [TRUST_KEY]: workspaceTrusted,
    };
}

/** Keys whose change needs a new server process rather than a didChangeConfiguration. */
export const RESTART_KEYS: readonly string[] = [`${SECTION}.interpreter`, `${SECTION}.server.command`];
