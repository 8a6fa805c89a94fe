-- A counter every change to what a lock's view is read from bumps, in the
-- writing transaction, whoever writes (services::data_version). A later
-- migration that rebuilds one of these tables must create its triggers again
-- (server/tests/lock_list_cache.rs fails otherwise).
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);

CREATE TRIGGER doors_insert_version AFTER INSERT ON doors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER doors_update_version AFTER UPDATE ON doors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER doors_delete_version AFTER DELETE ON doors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER places_insert_version AFTER INSERT ON places
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER places_update_version AFTER UPDATE ON places
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER places_delete_version AFTER DELETE ON places
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER floors_insert_version AFTER INSERT ON floors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER floors_update_version AFTER UPDATE ON floors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER floors_delete_version AFTER DELETE ON floors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER controllers_insert_version AFTER INSERT ON controllers
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER controllers_update_version AFTER UPDATE ON controllers
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER controllers_delete_version AFTER DELETE ON controllers
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER readers_insert_version AFTER INSERT ON readers
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER readers_update_version AFTER UPDATE ON readers
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER readers_delete_version AFTER DELETE ON readers
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_doors_insert_version AFTER INSERT ON group_doors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_doors_update_version AFTER UPDATE ON group_doors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER group_doors_delete_version AFTER DELETE ON group_doors
BEGIN UPDATE data_version SET n = n + 1 WHERE id = 1; END;
