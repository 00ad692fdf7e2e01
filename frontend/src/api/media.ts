import { api } from "./client";
import type { Media } from "./types";

/**
 * Uploads an image as the raw body. The server decides by the bytes whether it is an image
 * (415 otherwise) and refuses files over its limit (413); both answer a problem.
 */
export async function uploadImage(file: File): Promise<Media> {
  const { data, error } = await api.POST("/api/v1/media", {
    body: file as unknown as number[],
    bodySerializer: (body: unknown) => body as BodyInit,
    headers: { "Content-Type": file.type || "application/octet-stream" },
  });
  if (data) return data;
  throw error;
}
