import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinctCursorLines } from '../src/cursors';
import { parseTrackerStatus, statusView } from '../src/status';

describe('statusView', () => {
    it("shows the tracker's text with a spinning icon while the cache loads, and refreshes on click", () => {
        const view = statusView('running', { state: 'refreshing', text: 'issues: refreshing', detail: 'github owner/plan: refreshing' });
        assert.deepEqual(view, {
            text: '$(sync~spin) issues: refreshing',
            tooltip: 'github owner/plan: refreshing\nClick to refresh the issues.',
            command: 'backlogLs.refreshIssues',
            severity: undefined,
        });
    });

    it('warns when the cache is stale', () => {
        const view = statusView('running', { state: 'warning', text: '12 issues (stale)', detail: 'github: rate limited' });
        assert.equal(view.text, '$(warning) 12 issues (stale)');
        assert.equal(view.severity, 'warning');
    });

    it('shows a ready cache plainly', () => {
        assert.equal(statusView('running', { state: 'ready', text: '3 issues', detail: 'json issues.json: 3 issues' }).text, '$(checklist) 3 issues');
    });

    it('points to the output, not to Refresh Issues, when the server is not running', () => {
        const tracker = { state: 'ready', text: '3 issues', detail: '' };
        for (const state of ['starting', 'crashed', 'noPython', 'stopped'] as const) {
            const view = statusView(state, tracker);
            assert.equal(view.command, 'backlogLs.showOutput', state);
            assert.ok(!view.text.includes('3 issues'), state);
        }
        assert.equal(statusView('crashed', undefined).text, '$(error) backlog-ls stopped');
        assert.equal(statusView('noPython', undefined).text, '$(error) backlog-ls: no Python');
    });
});

describe('parseTrackerStatus', () => {
    it('accepts the contract and rejects anything else', () => {
        assert.deepEqual(parseTrackerStatus({ state: 'off', text: 'issues off', detail: 'No issue tracker configured' }), {
            state: 'off',
            text: 'issues off',
            detail: 'No issue tracker configured',
        });
        assert.deepEqual(parseTrackerStatus({ state: 'ready', text: '1 issue' }), { state: 'ready', text: '1 issue', detail: '' });
        assert.equal(parseTrackerStatus(null), undefined);
        assert.equal(parseTrackerStatus({ state: 3, text: 'x' }), undefined);
    });
});

describe('distinctCursorLines', () => {
    it('keeps one cursor per line, top to bottom', () => {
        const cursors = [
            { line: 30, character: 4 },
            { line: 91, character: 0 },
            { line: 30, character: 12 },
            { line: 2, character: 7 },
        ];
        assert.deepEqual(distinctCursorLines(cursors), [
            { line: 2, character: 7 },
            { line: 30, character: 4 },
            { line: 91, character: 0 },
        ]);
    });
});
