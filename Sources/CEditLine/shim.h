// Brings libedit's native interface (EditLine, History) into Swift, with fixed-arity wrappers.
//
// el_set() and history() are C variadic functions, which Swift cannot call; each wrapper below
// passes exactly the arguments one operation needs.
#include <stdio.h>
#include <histedit.h>

/// Prompt function; characters between two `escape` characters are not counted for the width.
static inline int wh_el_set_prompt(EditLine *el, char *(*prompt)(EditLine *), char escape) {
    return el_set(el, EL_PROMPT_ESC, prompt, escape);
}

/// "emacs" or "vi" key bindings.
static inline int wh_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

/// Let libedit install its own signal handlers during el_gets (0 = no).
static inline int wh_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}

/// Fixes one terminal mode while editing, e.g. "+isig" (on) or "-isig" (off).
static inline int wh_el_settty_edit(EditLine *el, const char *mode) {
    return el_set(el, EL_SETTY, "-d", mode, (const char *)NULL);
}

/// Replaces libedit's character reader (which retries a read interrupted by a signal).
static inline int wh_el_set_getc(EditLine *el, int (*getc)(EditLine *, wchar_t *)) {
    return el_set(el, EL_GETCFN, getc);
}

/// Puts the terminal back in the editor's mode (1) or in the mode it had before editing (0).
static inline int wh_el_prep_term(EditLine *el, int on) {
    return el_set(el, EL_PREP_TERM, on);
}

/// Redraws the prompt and the line being edited on a fresh terminal line.
static inline int wh_el_refresh(EditLine *el) {
    return el_set(el, EL_REFRESH);
}

/// Binds a key sequence such as "^R" or "^I" to a named editor function.
static inline int wh_el_bind(EditLine *el, const char *key, const char *function) {
    return el_set(el, EL_BIND, key, function, (const char *)NULL);
}

/// Adds a named editor function implemented by the application.
static inline int wh_el_add_function(EditLine *el, const char *name, const char *help,
                                     unsigned char (*function)(EditLine *, int)) {
    return el_set(el, EL_ADDFN, name, help, function);
}

/// Connects a history list so the editor can walk and search it.
static inline int wh_el_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

/// An opaque pointer handed back by wh_el_get_clientdata (the Swift editor object).
static inline int wh_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *wh_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

/// Maximum number of history entries kept.
static inline int wh_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

/// Drop an entry equal to the one just before it.
static inline int wh_history_setunique(History *h, int on) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, on);
}

static inline int wh_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

static inline int wh_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}

static inline int wh_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}

/// Number of entries now held.
static inline int wh_history_count(History *h) {
    HistEvent ev;
    if (history(h, &ev, H_GETSIZE) < 0) return 0;
    return ev.num;
}

/// Walks the list from the oldest entry: first call with start = 1, then 0 until NULL.
static inline const char *wh_history_walk(History *h, int start) {
    HistEvent ev;
    if (history(h, &ev, start ? H_LAST : H_PREV) < 0) return NULL;
    return ev.str;
}
