-- The language SMS replies are sent in (en, ru or kk); NULL: the language of each incoming text.
-- depends: 0015_region_reporting

ALTER TABLE monitors ADD COLUMN lang text CHECK (lang IN ('en', 'ru', 'kk'));
