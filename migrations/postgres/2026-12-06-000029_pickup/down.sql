DROP TABLE order_pickups;
-- The old CHECK has no place for pickup orders: they count as express again.
UPDATE orders SET delivery = 'express' WHERE delivery = 'pickup';
ALTER TABLE orders DROP CONSTRAINT orders_delivery_check;
ALTER TABLE orders ADD CONSTRAINT orders_delivery_check CHECK (delivery IN ('express', 'none'));
