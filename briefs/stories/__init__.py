"""Stories: briefs of one event from different newsrooms, read side by side (issue 18).

Pure text work, no models: ``similarity`` scores a new brief against the briefs of its
few-day window, ``grouping`` turns accepted pairs into stories under a curator's
constraints, ``alignment`` lines up the sentences of a story's briefs for the
side-by-side page. ``mentions`` reads the names, numbers and dates they all rely on.
"""
