-- Where a field report's event happened (issue 13 §2), as a point: the phone's position when the
-- worker gave it, otherwise the GPS position a photo of the report carried in its EXIF (the
-- photo itself is stored without any metadata). Both coordinates or neither, always with their
-- source; WGS 84 degrees as the phone reports them.

ALTER TABLE app.cases
  ADD COLUMN latitude double precision,
  ADD COLUMN longitude double precision,
  ADD COLUMN position_source text,
  ADD CONSTRAINT cases_position_shape CHECK (
    (latitude IS NULL) = (longitude IS NULL) AND (latitude IS NULL) = (position_source IS NULL)
    AND latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180
    AND position_source IN ('device', 'photo', 'channel'));

-- Set once, by the service that registered the report, in the same transaction.
GRANT UPDATE (latitude, longitude, position_source) ON app.cases TO zz_app;
