// Builtins: the bridge that binds Core into the language, and the Session driver.
import Core
import Interpreter
import Lang
