-- Roles in the user pool (issue 18); admin is the first. As elsewhere
-- there is no foreign key to users: DeleteUsers removes a user's roles in
-- its transaction. The index lists a role's holders, oldest grant first.
CREATE TABLE user_roles (
    user_id    TEXT NOT NULL,
    role       TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role, granted_at);
