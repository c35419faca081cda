;;; backlog-ls.el --- Use backlog-ls in Markdown buffers (eglot or lsp-mode)  -*- lexical-binding: t; -*-

;; Copy this into your init file, or `load' it from there.  It needs `backlog-ls' on
;; `exec-path' (pipx install backlog-ls, or a virtualenv's bin folder).
;;
;; eglot runs one server per major mode: this entry replaces any other Markdown server
;; (such as marksman) in eglot.  lsp-mode can run both side by side.

;;; eglot (built into Emacs 29+; the `eglot' package on Emacs 26-28)
;; Start it with M-x eglot in a backlog, or for every Markdown file:
;;   (add-hook 'markdown-mode-hook #'eglot-ensure)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               ;; gfm-mode buffers are Markdown too: send the languageId "markdown", not "gfm".
               '(((markdown-mode :language-id "markdown")
                  (gfm-mode :language-id "markdown"))
                 . ("backlog-ls" "serve"))))

;;; lsp-mode
;; Start it with M-x lsp, or (add-hook 'markdown-mode-hook #'lsp-deferred).
;; `add-on?' lets it run beside another Markdown server such as marksman.
(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client :new-connection (lsp-stdio-connection '("backlog-ls" "serve"))
                    :activation-fn (lsp-activate-on "markdown")
                    :add-on? t
                    :server-id 'backlog-ls)))

;;; backlog-ls.el ends here
