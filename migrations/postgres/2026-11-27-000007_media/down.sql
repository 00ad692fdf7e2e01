DROP TABLE product_media;
DROP TABLE media;
