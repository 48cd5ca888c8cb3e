-- The coordinator role: between analyst and admin. Coordinators read monitors' identities
-- (names, phones), message monitors and swap their phones and stations; analysts no longer
-- read names and phones.
-- depends: 0019_messages

ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
    CHECK (role IN ('public', 'partner', 'analyst', 'coordinator', 'admin'));
