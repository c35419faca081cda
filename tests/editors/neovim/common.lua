-- What the Neovim drivers (e2e.lua for 0.7, e2e_011.lua for 0.11) share: reading the buffer and its
-- diagnostics, and typing in insert mode. Fed keys are processed by the main loop, not inside vim.wait,
-- so a typing step feeds keys and continues in vim.defer_fn callbacks.
-- Loaded with dofile().

local M = { WAIT_MS = 20000, POLL_MS = 20 }
local uv = vim.uv or vim.loop -- vim.uv from 0.10 on
local started = uv.hrtime()

-- The lines to act on, named by text they hold (tests/editors/neovim_support.py: LINES).
M.LINES = vim.fn.json_decode(os.getenv("BACKLOG_LS_LINES"))

-- What the driver saw; written to RESULT_FILE as JSON when the session ends.
M.result = { steps = {}, timings = {}, completions = {} }

-- A step done: its name, and when (ms since the driver started).
function M.step(name)
  table.insert(M.result.steps, name)
  M.result.timings[name] = math.floor((uv.hrtime() - started) / 1e6)
end

-- Ends the session: writes the result (with the error, if any) and quits, non-zero on an error.
function M.finish(err)
  if err then
    M.result.error = tostring(err)
  end
  local file = assert(io.open(os.getenv("RESULT_FILE"), "w"))
  file:write(vim.fn.json_encode(M.result))
  file:close()
  vim.cmd(err and "cquit 1" or "qall!")
end

-- fn(...) with any error ending the session through M.finish.
function M.guarded(fn)
  return function(...)
    local ok, err = xpcall(fn, debug.traceback, ...)
    if not ok then
      M.finish(err)
    end
  end
end

-- Waits (inside vim.wait) until predicate holds; fails at once when stopped() says the server exited.
function M.wait_for(what, predicate, stopped)
  local ok = vim.wait(M.WAIT_MS, function()
    return predicate() or stopped()
  end, M.POLL_MS)
  if stopped() then
    error("the server exited while waiting for " .. what .. " (its stderr is in the server log)", 0)
  end
  if not ok then
    error("timed out after " .. M.WAIT_MS .. " ms waiting for " .. what, 0)
  end
end

-- Polls predicate from the main loop until it holds, then calls then_do; a timeout ends the session.
function M.poll(what, predicate, then_do)
  local deadline = uv.now() + M.WAIT_MS
  local check
  check = M.guarded(function()
    if predicate() then
      return then_do()
    end
    if uv.now() > deadline then
      error("timed out after " .. M.WAIT_MS .. " ms waiting for " .. what, 0)
    end
    vim.defer_fn(check, M.POLL_MS)
  end)
  vim.defer_fn(check, M.POLL_MS)
end

function M.line_text(bufnr, lnum)
  return vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, true)[1]
end

-- The 0-based number of the first line holding needle.
function M.line_holding(bufnr, needle)
  for lnum, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)) do
    if text:find(needle, 1, true) then
      return lnum - 1
    end
  end
  error(("no line holds %q"):format(needle), 0)
end

-- Neovim's own diagnostics on a line (every line when lnum is nil), in the form vim.diagnostic stores them.
function M.diagnostics_on(bufnr, lnum)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, lnum and { lnum = lnum } or nil)) do
    table.insert(found, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = vim.diagnostic.severity[d.severity],
      code = d.code,
      message = d.message,
      source = d.source,
    })
  end
  return found
end

function M.has_diagnostic(bufnr, lnum, code, severity)
  for _, d in ipairs(M.diagnostics_on(bufnr, lnum)) do
    if d.code == code and (severity == nil or d.severity == severity) then
      return true
    end
  end
  return false
end

-- Waits (with the driver's wait_for) for the tracker's finding on the issue line, which comes with the
-- last of the server's diagnostics, and records them all.
function M.check_diagnostics(bufnr, wait_for)
  local issue_line = M.line_holding(bufnr, M.LINES.issue)
  wait_for("the tracker's BL305 on line " .. issue_line, function()
    return M.has_diagnostic(bufnr, issue_line, "BL305")
  end)
  M.result.diagnostics = M.diagnostics_on(bufnr, nil)
  M.step("diagnostics")
end

-- After "Tick task" on lnum: the edit reaches the server as didChange, and the ticked task's #TBD
-- turns from a hint into a warning. Records the line's diagnostics then.
function M.check_diagnostics_after_tick(bufnr, lnum, wait_for)
  wait_for("BL102 as a warning on the ticked line", function()
    return M.has_diagnostic(bufnr, lnum, "BL102", "WARN")
  end)
  M.result.code_action.diagnostics_after = M.diagnostics_on(bufnr, lnum)
  M.step("diagnostics after tick")
end

-- Waits until line lnum differs from `before` (an edit was applied) and returns it.
function M.changed_line(bufnr, lnum, before, wait_for)
  wait_for("an edit of line " .. lnum .. " " .. vim.inspect(before), function()
    return M.line_text(bufnr, lnum) ~= before
  end)
  return M.line_text(bufnr, lnum)
end

function M.keys(typed)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(typed, true, false, true), "t", false)
end

-- On a new last line of bufnr reading `start`: types `typed` at its end, opens completion with `open`
-- ("" when a typed trigger character opens it), picks the entry labelled `label` with <C-n>, accepts
-- it with <C-y> and types `after`. Fills `record` with the menu and the line after each step, then
-- calls done().
function M.complete_and_accept(bufnr, record, spec, done)
  local lnum = vim.api.nvim_buf_line_count(bufnr)
  local function line()
    return vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, true)[1]
  end
  record.start, record.typed = spec.start, spec.typed
  vim.api.nvim_buf_set_lines(bufnr, lnum, lnum, true, { spec.start })
  vim.api.nvim_win_set_cursor(0, { lnum + 1, #spec.start })
  M.keys("A" .. spec.typed .. spec.open)
  local target
  M.poll("the completion menu holding " .. spec.label .. " after " .. vim.inspect(spec.start .. spec.typed), function()
    local info = vim.fn.complete_info({ "items", "selected" })
    for index, item in ipairs(info.items or {}) do
      if item.abbr == spec.label then
        target = index - 1
      end
    end
    if target == nil then
      return false
    end
    record.menu = {}
    for _, item in ipairs(info.items) do
      table.insert(record.menu, { abbr = item.abbr, word = item.word, menu = item.menu, info = item.info })
    end
    record.selected_first = info.selected
    return true
  end, function()
    M.keys(string.rep("<C-n>", target - record.selected_first) .. "<C-y>")
    M.poll("the accepted entry", function()
      return vim.fn.complete_info({ "mode" }).mode == ""
    end, function()
      record.line_after_accepting = line()
      M.keys(spec.after .. "<Esc>")
      M.poll("normal mode", function()
        return vim.api.nvim_get_mode().mode == "n"
      end, function()
        record.line_after_typing_on = line()
        done()
      end)
    end)
  end)
end

-- complete_and_accept as the step `name`, recorded in result.completions[name].
function M.complete(bufnr, name, spec, done)
  M.result.completions[name] = {}
  M.complete_and_accept(bufnr, M.result.completions[name], spec, function()
    M.step("completion: " .. name)
    done()
  end)
end

return M
