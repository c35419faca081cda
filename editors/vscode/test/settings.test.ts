import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { contributedKeys, type InspectedValue, serverSection, serverSettings, userLevelValue, userValue } from '../src/settings';

// The keys package.json really contributes, so a renamed setting breaks these tests too.
const packageJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};
const KEYS = contributedKeys(packageJson.contributes.configuration.properties);

/** `inspect()` over the given scopes; every contributed key also has its package.json default, as in VS Code. */
function inspector(scopes: Record<string, InspectedValue>): (key: string) => InspectedValue & { defaultValue?: unknown } {
    return (key) => ({ defaultValue: packageJson.contributes.configuration.properties[`backlogLs.${key}`]?.default, ...scopes[key] });
}

describe('serverSettings', () => {
    it('sends nothing when the user set nothing, although every setting has a default', () => {
        assert.ok(KEYS.includes('issues.refresh') && KEYS.includes('rules'), KEYS.join(', '));
        assert.deepEqual(serverSettings(KEYS, inspector({})), {});
    });

    it('nests dotted keys and keeps only what was set', () => {
        const settings = serverSettings(
            KEYS,
            inspector({
                'issues.provider': { globalValue: 'json' },
                'issues.file': { workspaceValue: 'issues.json' },
                'issues.tokenEnv': { globalValue: 'MY_TOKEN' },
                'rfc.ietfRefresh': { workspaceValue: false },
                'dod.require': { workspaceValue: [{ pattern: 'PR #\\d+', message: 'Link the PR.' }] },
                exclude: { globalValue: ['docs/archive/**'] },
            }),
        );

        assert.deepEqual(settings, {
            exclude: ['docs/archive/**'],
            issues: { provider: 'json', file: 'issues.json', tokenEnv: 'MY_TOKEN' },
            rfc: { ietfRefresh: false },
            dod: { require: [{ pattern: 'PR #\\d+', message: 'Link the PR.' }] },
        });
    });

    it('takes the folder value over the workspace value over the user value; lists are replaced, not merged', () => {
        const settings = serverSettings(
            KEYS,
            inspector({
                'issues.refresh': { globalValue: '1h', workspaceValue: '30m', workspaceFolderValue: '5m' },
                'issues.repo': { globalValue: 'me/mine', workspaceValue: 'team/plan' },
                include: { globalValue: ['**/*.md'], workspaceFolderValue: ['BACKLOG.md'] },
            }),
        );

        assert.deepEqual(settings, { include: ['BACKLOG.md'], issues: { refresh: '5m', repo: 'team/plan' } });
    });

    it('merges object settings such as rules across scopes, rule by rule', () => {
        const settings = serverSettings(
            KEYS,
            inspector({
                rules: {
                    globalValue: { 'placeholder-issue': 'off', 'missing-issue': 'hint' },
                    workspaceValue: { 'missing-issue': { require: 'checked' }, mojibake: 'error' },
                },
            }),
        );

        assert.deepEqual(settings, { rules: { 'placeholder-issue': 'off', 'missing-issue': { require: 'checked' }, mojibake: 'error' } });
    });

    it('never sends the client-only settings (interpreter, server.command, trace.server)', () => {
        assert.ok(KEYS.includes('interpreter') && KEYS.includes('server.command') && KEYS.includes('trace.server'));

        const settings = serverSettings(
            KEYS,
            inspector({
                interpreter: { globalValue: ['/usr/bin/python3'] },
                'server.command': { workspaceValue: ['backlog-ls', 'serve'] },
                'trace.server': { globalValue: 'verbose' },
                'issues.provider': { globalValue: 'none' },
            }),
        );

        assert.deepEqual(settings, { issues: { provider: 'none' } });
    });

    it('treats null as not set', () => {
        assert.equal(userValue({ globalValue: 'me/mine', workspaceValue: null }), 'me/mine');
        assert.deepEqual(serverSettings(KEYS, inspector({ 'issues.url': { globalValue: null } })), {});
    });
});

describe('serverSection', () => {
    it("sends the user's own values apart, so that a workspace cannot choose where credentials go", () => {
        const section = serverSection(
            KEYS,
            inspector({
                'issues.tokenEnv': { globalValue: 'MY_TOKEN', workspaceValue: 'AWS_SECRET_ACCESS_KEY' },
                'issues.trustedHosts': { globalValue: ['ghe.example.com'] },
                'issues.url': { workspaceValue: 'https://evil.example/api/v3' },
                'issues.provider': { globalValue: 'github' },
            }),
            true,
        );

        assert.deepEqual(section, {
            issues: {
                tokenEnv: 'AWS_SECRET_ACCESS_KEY',
                trustedHosts: ['ghe.example.com'],
                url: 'https://evil.example/api/v3',
                provider: 'github',
            },
            userSettings: { issues: { tokenEnv: 'MY_TOKEN', trustedHosts: ['ghe.example.com'], provider: 'github' } },
            workspaceTrusted: true,
        });
    });

    it("says when the workspace is not trusted, and sends empty user settings when the user set nothing", () => {
        assert.deepEqual(serverSection(KEYS, inspector({ 'issues.repo': { workspaceFolderValue: 'team/plan' } }), false), {
            issues: { repo: 'team/plan' },
            userSettings: {},
            workspaceTrusted: false,
        });
    });

    it('reads only the user scope for the user-level value', () => {
        assert.equal(userLevelValue({ workspaceValue: 'X', workspaceFolderValue: 'Y' }), undefined);
        assert.equal(userLevelValue({ globalValue: null }), undefined);
        assert.equal(userLevelValue({ globalValue: 'MINE', workspaceValue: 'X' }), 'MINE');
    });
});
