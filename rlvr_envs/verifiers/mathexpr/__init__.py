"""Private building blocks of the math verifier's in-process fast path.

Use :mod:`rlvr_envs.verifiers.math` (``check_answer``, ``check_many``, ...); nothing here is public
API.  The modules, in dependency order (each imports only the ones above it):

* ``verdict``: ``Method`` (who decided) and ``Verdict`` (equal, method, detail), shared with the
  worker pool and the public API.
* ``normalise``: gold-independent string normalisation (delimiters, ``\\left``/``\\right``,
  spacing, ``\\dfrac``, unicode, units, ...) and the whitespace-insensitive ``squash``.
* ``algebra``: exact arithmetic over ``Q(sqrt 2, sqrt 3, ..., pi)[x, y, ...]`` and its quotients
  (``RF``), with ``Inf``/``Huge`` markers, the size bounds, the work budget (``Ctx``) and
  ``GiveUp``, raised whenever the fast path cannot decide with certainty.
* ``parser``: tokenizer and recursive-descent parser from an answer string to a tuple AST.
* ``evaluate``: AST to exact values: scalars and structured kinds (sets, tuples, intervals,
  unions, matrices, equations, text).
* ``numeric``: float evaluation at fixed sample points, used only to prove that two expressions
  with opaque functions (``sin``, ``exp``, ...) differ.
* ``gold``: the parsed gold (``GoldInfo``, cached per gold) and gold-aware rewriting of the
  prediction (``x =`` prefixes, ``+ C``, thousands separators, unit words).
* ``compare``: value comparison (True / False / undecided) and ``fast_path``, the entry point
  that decides one (gold, prediction) pair or defers it to math-verify.
"""
