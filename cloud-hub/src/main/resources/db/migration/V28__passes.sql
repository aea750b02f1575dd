-- Issue 16 items 1 and 7: passes. A pass package sold to a member (a day pass, a 10-pass) gives its
-- door plan for the pass's validity window with a number of entries: the first entry of a day spends
-- one (decided at the edge). NULL: the plan without an entry limit (a membership, an operator's
-- assignment). Buying another pass of the same plan while one runs adds its entries.
ALTER TABLE member_plans ADD COLUMN entries INTEGER;
