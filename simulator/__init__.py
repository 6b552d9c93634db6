"""A stand-alone, stateful fake of the personal-WeChat provider API (see docs/simulator-control.md)."""
