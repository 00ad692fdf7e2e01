-- The distributor who recruited each distributor, as it was when they joined: the inviter whose
-- recruit link (or customer binding) brought them. NULL when nobody recruited them: placed under
-- the merchant's default sponsor, made a root, or placed by staff. Unlike `parent_id` it never
-- changes, so a staff move does not rewrite who recruited whom (the recruits leaderboard).
ALTER TABLE distributors ADD COLUMN sponsor_id BIGINT REFERENCES distributors (id);

-- Known for the past only where an approved application named its recruiter and the distributor
-- is still under that recruiter: otherwise a staff move since and a fall-back to the default
-- sponsor at approval (the recruiter could no longer recruit) cannot be told apart.
UPDATE distributors
SET sponsor_id = parent_id
WHERE parent_id IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM distributor_applications a
    WHERE a.merchant_id = distributors.merchant_id
      AND a.distributor_id = distributors.id
      AND a.status = 'approved'
      AND a.sponsor_id = distributors.parent_id
  );

-- A period's recruits by recruiter: a range scan that never touches the table.
DROP INDEX distributors_joined_idx;
CREATE INDEX distributors_joined_idx ON distributors (merchant_id, joined_at, sponsor_id);
