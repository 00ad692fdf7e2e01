import { App, Button, Card, Image, Space, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { uploadImage } from "../../api/media";
import { isProblem } from "../../api/problem";
import type { Media } from "../../api/types";

const ACCEPT = "image/png,image/jpeg,image/gif,image/webp";

/** Moves the item at `index` by `step` places. */
export function moved<T>(items: T[], index: number, step: number): T[] {
  const target = index + step;
  if (target < 0 || target >= items.length) return items;
  const next = [...items];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(target, 0, item);
  return next;
}

/**
 * The product's gallery while editing: upload images, reorder them, remove them. The first is
 * the main image. Nothing is attached to the product until the editor saves.
 */
export function ProductGallery({
  images,
  onChange,
}: {
  images: Media[];
  /** Receives an update of the list (several uploads may finish in any order). */
  onChange: (update: (current: Media[]) => Media[]) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [uploading, setUploading] = useState(0);

  return (
    <Card title={t("products.images")} style={{ marginBottom: 16 }}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Text type="secondary">{t("products.imagesHelp")}</Typography.Text>
        <Space wrap align="start" data-testid="gallery">
          {images.map((image, index) => (
            <Card
              key={image.id}
              size="small"
              style={{ width: 132 }}
              data-testid="gallery-image"
              cover={
                <Image
                  src={image.url}
                  width={130}
                  height={100}
                  style={{ objectFit: "cover" }}
                  alt={`${t("products.image")} ${index + 1}`}
                />
              }
            >
              <Space size={2} wrap>
                {index === 0 && <Tag color="blue">{t("products.mainImage")}</Tag>}
                <Button
                  size="small"
                  aria-label={`${t("products.moveLeft")} ${index + 1}`}
                  disabled={index === 0}
                  onClick={() => onChange((current) => moved(current, index, -1))}
                >
                  ←
                </Button>
                <Button
                  size="small"
                  aria-label={`${t("products.moveRight")} ${index + 1}`}
                  disabled={index === images.length - 1}
                  onClick={() => onChange((current) => moved(current, index, 1))}
                >
                  →
                </Button>
                <Button
                  size="small"
                  danger
                  aria-label={`${t("products.removeImage")} ${index + 1}`}
                  onClick={() => onChange((current) => current.filter((_, i) => i !== index))}
                >
                  ✕
                </Button>
              </Space>
            </Card>
          ))}
        </Space>
        <Upload
          accept={ACCEPT}
          multiple
          showUploadList={false}
          customRequest={async ({ file, onSuccess, onError }) => {
            setUploading((n) => n + 1);
            try {
              const media = await uploadImage(file as File);
              onChange((current) =>
                current.some((m) => m.id === media.id) ? current : [...current, media],
              );
              onSuccess?.(media);
            } catch (error) {
              message.error(isProblem(error) ? error.detail : t("common.failed"));
              onError?.(error as Error);
            } finally {
              setUploading((n) => n - 1);
            }
          }}
        >
          <Button loading={uploading > 0}>{t("products.upload")}</Button>
        </Upload>
      </Space>
    </Card>
  );
}
