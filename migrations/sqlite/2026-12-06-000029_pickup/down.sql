PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (delivery IN (''express'', ''pickup'', ''none''))',
                  'CHECK (delivery IN (''express'', ''none''))')
WHERE type = 'table' AND name = 'orders';
PRAGMA writable_schema = RESET;
DROP TABLE order_pickups;
