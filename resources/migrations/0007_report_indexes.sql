-- Schema 7: what filing a case looks up, found in O(log n).
-- The grid cell under the reported position: without an index every report scanned all grid rows
-- (3,635 in the demo district; about 0.25 ms a report). An R*Tree over the cells' bounding boxes,
-- kept current by triggers, finds the candidates. The R*Tree stores 32-bit floats rounded outwards,
-- so the query still compares the position with the grid row's own columns.
CREATE VIRTUAL TABLE grids_bbox USING rtree(id, min_lon, max_lon, min_lat, max_lat);
INSERT INTO grids_bbox (id, min_lon, max_lon, min_lat, max_lat)
    SELECT id, min_lon, max_lon, min_lat, max_lat FROM grids;

CREATE TRIGGER grids_bbox_insert AFTER INSERT ON grids
BEGIN
    INSERT INTO grids_bbox (id, min_lon, max_lon, min_lat, max_lat)
        VALUES (NEW.id, NEW.min_lon, NEW.max_lon, NEW.min_lat, NEW.max_lat);
END;

CREATE TRIGGER grids_bbox_update AFTER UPDATE OF id, min_lon, max_lon, min_lat, max_lat ON grids
BEGIN
    DELETE FROM grids_bbox WHERE id = OLD.id;
    INSERT INTO grids_bbox (id, min_lon, max_lon, min_lat, max_lat)
        VALUES (NEW.id, NEW.min_lon, NEW.max_lon, NEW.min_lat, NEW.max_lat);
END;

CREATE TRIGGER grids_bbox_delete AFTER DELETE ON grids
BEGIN
    DELETE FROM grids_bbox WHERE id = OLD.id;
END;
