import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    children,
    countsTooltip,
    fileChildren,
    files,
    type OutlineFile,
    type OutlineNode,
    type OutlineSection,
    type OutlineTask,
    parseOutline,
    progressBar,
    withFile,
    progressText,
    taskDescription,
    taskIcon,
} from '../src/outline';

const range = (line: number) => ({ start: { line, character: 6 }, end: { line, character: 20 } });
const counts = (done: number, open: number, extra: Partial<{ in_progress: number; cancelled: number }> = {}) => {
    const in_progress = extra.in_progress ?? 0;
    const total = done + open + in_progress;
    return { done, open, in_progress, cancelled: extra.cancelled ?? 0, total, percent: total ? Math.round((100 * done) / total) : null };
};
const task = (name: string, kind: string, ready: boolean, subtasks: OutlineTask[] = []): OutlineTask => ({
    name, state: kind === 'done' ? 'x' : ' ', meaning: kind === 'in_progress' ? 'in progress' : kind, kind, ready, range: range(1), subtasks,
});

// What the server answers for a backlog shaped like examples/BACKLOG.md: a title holding phases.
const phase1: OutlineSection = {
    title: 'Phase 1: Foundations', level: 2, range: range(7), counts: counts(1, 2), sections: [],
    tasks: [task('Task 1.1', 'done', false), task('Task 1.2', 'open', true, [task('Sub', 'open', false)]), task('Task 1.3', 'in_progress', false)],
};
const dod: OutlineSection = { title: 'Definition of Done', level: 2, range: range(2), counts: counts(0, 0), tasks: [], sections: [] };
const phase2: OutlineSection = { title: 'Phase 2', level: 2, range: range(15), counts: counts(1, 0), tasks: [task('Task 2.1', 'done', false)], sections: [] };
const title: OutlineSection = { title: 'Lantern Backlog', level: 1, range: range(0), counts: counts(2, 2), tasks: [], sections: [dod, phase1, phase2] };
const file: OutlineFile = { uri: 'file:///w/BACKLOG.md', path: '/w/BACKLOG.md', counts: counts(2, 2), tasks: [], sections: [title] };

const names = (nodes: OutlineNode[]) => nodes.map((node) => (node.type === 'file' ? node.file.uri : node.type === 'section' ? node.section.title : node.task.name));

describe('parseOutline', () => {
    it("reads the server's answer and drops entries without the contract's shape", () => {
        const answer: unknown = JSON.parse(JSON.stringify({ files: [file, { uri: 3 }, { uri: 'file:///x', counts: {} }] }));
        const outline = parseOutline(answer);
        assert.deepEqual(outline?.files, [file]);
        assert.equal(parseOutline(null), undefined);
        assert.equal(parseOutline({ files: 'no' }), undefined);
        assert.deepEqual(parseOutline({ files: [{ ...file, sections: [{ title: 'x' }] }] })?.files[0].sections, []);
    });
});

describe('withFile', () => {
    it("puts one file's new answer in place, adds a new backlog in path order, and drops one that is no backlog now", () => {
        const other: OutlineFile = { ...file, uri: 'file:///w/A.md', path: '/w/A.md' };
        const outline = { files: [other, file] };
        const edited = { ...file, counts: counts(3, 1) };
        assert.deepEqual(withFile(outline, file.uri, { files: [edited] }).files, [other, edited]);
        assert.deepEqual(withFile(outline, file.uri, { files: [] }).files, [other]);
        const added: OutlineFile = { ...file, uri: 'file:///w/B.md', path: '/w/B.md' };
        assert.deepEqual(withFile(outline, added.uri, { files: [added] }).files.map((found) => found.path), ['/w/A.md', '/w/B.md', '/w/BACKLOG.md']);
        const untitled: OutlineFile = { ...file, uri: 'untitled:Untitled-1', path: null };
        assert.deepEqual(withFile(outline, untitled.uri, { files: [untitled] }).files.at(-1), untitled);
    });
});

describe('the tree', () => {
    it("shows a file's phases directly under it when its one top-level section is its title, and leaves out sections without tasks", () => {
        assert.deepEqual(names(fileChildren(file, 'all')), ['Phase 1: Foundations', 'Phase 2']);
    });

    it('keeps a top-level section with its own tasks, and lists tasks before the first heading first', () => {
        const loose = { ...file, tasks: [task('Loose', 'open', true)], sections: [phase1, phase2] };
        assert.deepEqual(names(fileChildren(loose, 'all')), ['Loose', 'Phase 1: Foundations', 'Phase 2']);
    });

    it('filters open tasks (in progress included) and tasks ready to start, keeping the parents of those shown', () => {
        const section: OutlineNode = { type: 'section', uri: file.uri, section: phase1 };
        assert.deepEqual(names(children(section, 'all')), ['Task 1.1', 'Task 1.2', 'Task 1.3']);
        assert.deepEqual(names(children(section, 'open')), ['Task 1.2', 'Task 1.3']);
        assert.deepEqual(names(children(section, 'ready')), ['Task 1.2']);
        assert.deepEqual(names(fileChildren(file, 'open')), ['Phase 1: Foundations']);  // Phase 2 is all done
        const doneParent = task('Parent', 'done', false, [task('Child', 'open', true)]);
        const withParent: OutlineNode = { type: 'section', uri: file.uri, section: { ...phase2, tasks: [doneParent] } };
        assert.deepEqual(names(children(withParent, 'ready')), ['Parent']);
        assert.deepEqual(names(children({ type: 'task', uri: file.uri, task: doneParent }, 'ready')), ['Child']);
    });

    it('lists no file when nothing matches the filter', () => {
        const done = { ...file, sections: [phase2] };
        assert.deepEqual(files({ files: [done, file] }, 'all').length, 2);
        assert.deepEqual(files({ files: [done, file] }, 'ready').map((found) => found.uri), [file.uri]);
        assert.deepEqual(files(undefined, 'all'), []);
    });
});

describe('labels and icons', () => {
    it('draws progress as a bar with the counts and the percentage', () => {
        assert.equal(progressBar(0), '░░░░░░░░░░');
        assert.equal(progressBar(67), '███████░░░');
        assert.equal(progressBar(100), '██████████');
        assert.equal(progressText(counts(4, 2)), '4/6 · 67% ███████░░░');
        assert.equal(progressText(counts(0, 0)), 'no tasks');
        assert.equal(progressText({ ...counts(0, 0), cancelled: 2 }), '2 cancelled');
    });

    it('says every count in the tooltip', () => {
        assert.equal(countsTooltip('Sprint', { ...counts(1, 3, { in_progress: 1 }), cancelled: 1 }), 'Sprint\n1 done, 3 open, 1 in progress, 1 cancelled (not counted) · 20% done');
    });

    it('gives each state its icon, and a task waiting for another a lock', () => {
        assert.deepEqual(taskIcon(task('a', 'done', false)), { id: 'pass-filled', color: 'testing.iconPassed' });
        assert.equal(taskIcon(task('a', 'open', true)).id, 'circle-large-outline');
        assert.equal(taskIcon(task('a', 'open', false)).id, 'lock');
        assert.equal(taskIcon(task('a', 'in_progress', false)).id, 'play-circle');
        assert.equal(taskIcon(task('a', 'cancelled', false)).id, 'circle-slash');
        assert.equal(taskIcon(task('a', 'deferred', false)).id, 'clock');
        assert.equal(taskIcon(task('a', 'something new', false)).id, 'lock');
    });

    it("names the state beside the task when the icon does not say it", () => {
        assert.equal(taskDescription(task('a', 'done', false)), '');
        assert.equal(taskDescription(task('a', 'open', true)), '');
        assert.equal(taskDescription(task('a', 'open', false)), 'waiting');
        assert.equal(taskDescription(task('a', 'in_progress', false)), 'in progress');
        assert.equal(taskDescription({ ...task('a', 'open', true), meaning: 'question' }), 'question');
    });
});
