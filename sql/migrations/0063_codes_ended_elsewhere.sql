-- Sign-in codes ended by a sign-in in another browser (review r74): signing in with a code
-- still uses up every code for the address (signin.use_code: one that might have got out, asked
-- for anywhere, dies once its owner signs in), but a code another browser asked for, never
-- typed, is marked so, and typing it there says that the owner signed in elsewhere rather
-- than that it "was used already" (signin.dead_code). Rows from before say what they said.
ALTER TABLE sign_in_codes ADD COLUMN ended_elsewhere boolean NOT NULL DEFAULT false;
