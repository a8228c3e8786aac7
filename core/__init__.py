"""Infrastructure every app shares: caching, rate limits, middleware, history, text hygiene.

Nothing here knows about briefs or notes; ``briefs`` and ``annotations`` build on it.
"""
