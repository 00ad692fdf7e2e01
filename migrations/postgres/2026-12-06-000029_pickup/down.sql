DROP TABLE order_pickups;
ALTER TABLE orders DROP CONSTRAINT orders_delivery_check;
ALTER TABLE orders ADD CONSTRAINT orders_delivery_check CHECK (delivery IN ('express', 'none'));
