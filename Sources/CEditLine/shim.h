// Brings libedit's native interface (EditLine, History, Tokenizer) into Swift.
#include <stdio.h>
#include <histedit.h>
