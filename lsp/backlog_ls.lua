-- backlog-ls for Neovim 0.11+: put this file on your 'runtimepath' as lsp/backlog_ls.lua, then call
-- vim.lsp.enable("backlog_ls"). The repository itself is such a plugin (this file is its lsp/backlog_ls.lua,
-- for lazy.nvim or vim.pack); or copy it to ~/.config/nvim/lsp/backlog_ls.lua. editors/neovim/lsp/ links here.
-- Override any field with vim.lsp.config("backlog_ls", { ... }); see editors/neovim/README.md.
--
-- The file only returns a table, so older Neovim can dofile() it too and pass the same
-- cmd, filetypes and root markers to vim.lsp.start / vim.lsp.start_client.

---@type vim.lsp.Config
return {
  cmd = { "backlog-ls", "serve" },
  filetypes = { "markdown" },
  -- The project's .backlog-ls.toml (or pyproject.toml with [tool.backlog-ls]) holds the
  -- backlog settings; .git is the fallback root. Without any of them the server runs on the
  -- single file.
  root_markers = { ".backlog-ls.toml", "pyproject.toml", ".git" },
  -- The server asks workspace/configuration for the "backlogLs" section. Leave it empty unless
  -- you mean to override the project: every key set here wins over .backlog-ls.toml.
  -- Keys are the .backlog-ls.toml keys in camelCase, e.g.
  --   backlogLs = { rules = { ["missing-issue"] = "warning" }, issues = { provider = "github" } }
  -- vim.empty_dict() keeps the empty section a JSON object ({}), not an array ([]).
  settings = { backlogLs = vim.empty_dict() },
}
