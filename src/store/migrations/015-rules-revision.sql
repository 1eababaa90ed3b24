-- Every process evaluates rules, each from its own in-memory rule book. A change saved through one
-- process must reach the others: every statement that writes `rules` bumps this one-row counter
-- (in the writer's transaction), and each process compares it every few seconds and reloads its
-- book when it moved (src/detect/revision.ts, docs/rules.md).
CREATE TABLE rules_revision (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  revision bigint NOT NULL
);
INSERT INTO rules_revision (only_row, revision) VALUES (true, 1);
CREATE FUNCTION bump_rules_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rules_revision SET revision = revision + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER rules_revision_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rules
  FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_revision();
