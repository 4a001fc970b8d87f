-- P3 baseline: the hand-written latest document of a session.
\set s random(1, :nsessions)
SELECT doc FROM baseline_sessions WHERE session_id = 'session-' || :s ORDER BY saved_at DESC LIMIT 1;
