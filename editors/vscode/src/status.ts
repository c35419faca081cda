// What the status bar item says. Pure: the server's `backlog-ls/status` notification and the
// client's state in, text / tooltip / click command out.

/** Params of the server's `backlog-ls/status` notification: the issue tracker cache's state. */
export interface TrackerStatus {
    /** "starting", "ready", "refreshing", "warning" or "off"; an unknown state is shown like "ready". */
    state: string;
    text: string;
    detail: string;
}

export type ServerState = 'discovering' | 'starting' | 'running' | 'stopped' | 'crashed' | 'noPython';

export interface StatusView {
    text: string;
    tooltip: string;
    command: 'backlogLs.refreshIssues' | 'backlogLs.showOutput';
    /** Drawn in the status bar's warning or error colours. */
    severity?: 'warning' | 'error';
}

export const STATUS_NOTIFICATION = 'backlog-ls/status';

const SPINNING = new Set(['starting', 'refreshing']);

export function statusView(server: ServerState, tracker: TrackerStatus | undefined): StatusView {
    switch (server) {
        case 'discovering':
        case 'starting':
            return { text: '$(sync~spin) backlog-ls', tooltip: 'backlog-ls: starting the language server', command: 'backlogLs.showOutput' };
        case 'noPython':
            return {
                text: '$(error) backlog-ls: no Python',
                tooltip: 'backlog-ls needs Python 3.10 or newer: see the backlog-ls output',
                command: 'backlogLs.showOutput',
                severity: 'error',
            };
        case 'crashed':
            return {
                text: '$(error) backlog-ls stopped',
                tooltip: 'The backlog-ls language server stopped unexpectedly: see the backlog-ls output, then run "backlog-ls: Restart Server"',
                command: 'backlogLs.showOutput',
                severity: 'error',
            };
        case 'stopped':
            return { text: '$(circle-slash) backlog-ls', tooltip: 'The backlog-ls language server is not running', command: 'backlogLs.showOutput' };
        case 'running':
            break;
    }
    if (tracker === undefined) {
        return { text: '$(checklist) backlog-ls', tooltip: 'backlog-ls is running', command: 'backlogLs.showOutput' };
    }
    const icon = SPINNING.has(tracker.state) ? '$(sync~spin)' : tracker.state === 'warning' ? '$(warning)' : '$(checklist)';
    return {
        text: `${icon} ${tracker.text}`,
        tooltip: tracker.detail ? `${tracker.detail}\nClick to refresh the issues.` : 'Click to refresh the issues.',
        command: 'backlogLs.refreshIssues',
        severity: tracker.state === 'warning' ? 'warning' : undefined,
    };
}

/** A notification's params if they have the contract's shape; undefined otherwise (never throws). */
export function parseTrackerStatus(params: unknown): TrackerStatus | undefined {
    if (typeof params !== 'object' || params === null) {
        return undefined;
    }
    const { state, text, detail } = params as Record<string, unknown>;
    if (typeof state !== 'string' || typeof text !== 'string') {
        return undefined;
    }
    return { state, text, detail: typeof detail === 'string' ? detail : '' };
}
