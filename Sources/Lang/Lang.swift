// Lang: source text, tokens, lexer, parser, AST, resolver, diagnostics.
