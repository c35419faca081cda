" Drive backlog-ls through ALE in Vim (vim -Nu drive-ale.vim -i NONE -es), write what a user would see.
"
" Environment (set by tests/editors/test_vim.py):
"   BACKLOG_LS_SNIPPET  the user snippet, editors/vim/backlog-ls.vim, sourced as a vimrc would; or
"   BACKLOG_LS_RUNTIME  a folder put first on 'runtimepath' holding it as ale_linters/markdown/backlog_ls.vim
"   BACKLOG_LS_FILE     the backlog to open
"   BACKLOG_LS_CODES    comma-separated rule codes (BL305,BL102) to wait for: the server publishes
"                       once before the tracker's issues are read and again after
"   BACKLOG_LS_HOVERS   JSON list of {"line": N (1-based), "text": "Issue #13"}: :ALEHover on that text
"   BACKLOG_LS_RESULT   where to write the JSON result
" On a failure the result holds the error and Vim's messages, so the Python side can explain it.

set nocompatible
filetype plugin on
packadd ale

if !empty($BACKLOG_LS_RUNTIME)
    let &runtimepath = $BACKLOG_LS_RUNTIME . ',' . &runtimepath
else
    source $BACKLOG_LS_SNIPPET
endif

" Only this server: another Markdown linter on the machine must not change what the test sees.
let g:ale_linters = {'markdown': ['backlog_ls']}
" Hover text into the preview window, where the test can read it (by default it is echoed).
let g:ale_hover_to_preview = 1

let s:timeout_ms = 30000
let s:result = {'loclist': [], 'hovers': []}

" Let ALE's channel and timer callbacks run until Condition() is true; false after the timeout.
function! s:WaitFor(Condition) abort
    let l:waited = 0

    while !a:Condition() && l:waited < s:timeout_ms
        sleep 50m
        let l:waited += 50
    endwhile

    return a:Condition()
endfunction

function! s:CodesPublished(buffer, codes) abort
    let l:published = map(copy(ale#engine#GetLoclist(a:buffer)), {_, item -> get(item, 'code', '')})

    return empty(filter(copy(a:codes), {_, code -> index(l:published, code) < 0}))
endfunction

function! s:PreviewLines() abort
    for l:window in getwininfo()
        if getbufvar(l:window.bufnr, '&filetype') is# 'ale-preview.message'
            return getbufline(l:window.bufnr, 1, '$')
        endif
    endfor

    return []
endfunction

function! s:Hover(target) abort
    call cursor(a:target.line, 1)
    let l:column = stridx(getline('.'), a:target.text)

    if l:column < 0
        throw printf('Line %d has no %s: %s', a:target.line, string(a:target.text), getline('.'))
    endif

    " Inside the reference, as a user's cursor would be, not on its first character.
    call cursor(a:target.line, l:column + 3)
    pclose
    ALEHover
    if !s:WaitFor({-> !empty(s:PreviewLines())})
        throw printf('No hover came for %s on line %d within %d ms', string(a:target.text), a:target.line, s:timeout_ms)
    endif

    return {'line': a:target.line, 'text': a:target.text, 'hover': join(s:PreviewLines(), "\n")}
endfunction

function! s:Drive() abort
    execute 'edit' fnameescape($BACKLOG_LS_FILE)
    let l:buffer = bufnr('')

    if &filetype isnot# 'markdown'
        throw 'The backlog opened with filetype ' . string(&filetype) . ', not markdown'
    endif

    ALELint
    " Whatever came by the deadline is recorded, and the test says what is missing; nothing at all
    " means the server is not talking to ALE.
    call s:WaitFor({-> s:CodesPublished(l:buffer, split($BACKLOG_LS_CODES, ','))})

    if empty(ale#engine#GetLoclist(l:buffer))
        throw printf('No diagnostics came from backlog-ls within %d ms', s:timeout_ms)
    endif

    let s:result.loclist = map(copy(ale#engine#GetLoclist(l:buffer)), {_, item -> {
    \   'lnum': item.lnum,
    \   'col': item.col,
    \   'end_lnum': get(item, 'end_lnum', 0),
    \   'end_col': get(item, 'end_col', 0),
    \   'type': item.type,
    \   'code': get(item, 'code', ''),
    \   'text': item.text,
    \   'linter_name': item.linter_name,
    \}})
    let s:result.hovers = map(json_decode($BACKLOG_LS_HOVERS), {_, target -> s:Hover(target)})
endfunction

try
    call s:Drive()
    call writefile([json_encode(s:result)], $BACKLOG_LS_RESULT)
    qall!
catch
    let s:result.error = v:exception . ' (at ' . v:throwpoint . ')'
    let s:result.messages = execute('messages')
    call writefile([json_encode(s:result)], $BACKLOG_LS_RESULT)
    cquit 1
endtry
