// Interpreter: values, scopes, evaluator, errors, the NativeObject bridge.
