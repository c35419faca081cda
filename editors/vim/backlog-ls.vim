" backlog-ls for Vim 8.2+/9 and Neovim with ALE (https://github.com/dense-analysis/ale).
"
" Use it either way:
"   - copy it to ~/.vim/ale_linters/markdown/backlog_ls.vim: ALE loads it with its own linters;
"   - or `source` it from your vimrc after ALE is loaded (for Vim packages: `packadd ale` first).
" It needs `backlog-ls` on PATH (pipx install backlog-ls, or a virtualenv's bin folder).
" If you set g:ale_linters for markdown, add 'backlog_ls' to that list.
" :ALEHover on an issue reference shows the issue; :ALECodeAction ticks a task.
"
" vim-lsp users (https://github.com/prabirshrestha/vim-lsp) register it instead with:
"   autocmd User lsp_setup call lsp#register_server({
"   \   'name': 'backlog-ls',
"   \   'cmd': {server_info -> ['backlog-ls', 'serve']},
"   \   'allowlist': ['markdown'],
"   \})

" The project is the folder holding .backlog-ls.toml, else the git checkout, else the file's folder.
function! BacklogLsProjectRoot(buffer) abort
    let l:config = ale#path#FindNearestFile(a:buffer, '.backlog-ls.toml')

    if !empty(l:config)
        return fnamemodify(l:config, ':h')
    endif

    let l:git = ale#path#FindNearestDirectory(a:buffer, '.git')

    return !empty(l:git) ? fnamemodify(l:git, ':h:h') : expand('#' . a:buffer . ':p:h')
endfunction

call ale#linter#Define('markdown', {
\   'name': 'backlog_ls',
\   'lsp': 'stdio',
\   'executable': 'backlog-ls',
\   'command': '%e serve',
\   'project_root': function('BacklogLsProjectRoot'),
\   'language': 'markdown',
\})
