import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { Application, ApplicationStatus, FormRequest } from "../../api/types";

export const recruitmentKeys = {
  link: ["recruitment", "link"] as const,
  qrPreview: (url: string | undefined) => ["recruitment", "qr.svg", url] as const,
  form: ["recruitment", "form"] as const,
  /** Every list of applications. */
  applications: ["distributor-applications"] as const,
  applicationList: (status: ApplicationStatus | "all") =>
    ["distributor-applications", status] as const,
};

/** The merchant's recruit link; a problem when the shop has no address yet. */
export function useRecruitLink() {
  return useQuery({
    queryKey: recruitmentKeys.link,
    retry: false,
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/recruitment/link");
      if (data) return data;
      throw error;
    },
  });
}

/** The recruit link's QR code as the server draws it. */
export async function qrImage(format: "png" | "svg"): Promise<Blob> {
  const { data, error } =
    format === "png"
      ? await api.GET("/api/v1/recruitment/qr.png", {
          params: { query: { scale: 10 } },
          parseAs: "blob",
        })
      : await api.GET("/api/v1/recruitment/qr.svg", { parseAs: "blob" });
  if (data) return data;
  throw error;
}

/** The server's own SVG of the link (`url`), read once the link is known. */
export function useQrPreview(url: string | undefined) {
  return useQuery({
    queryKey: recruitmentKeys.qrPreview(url),
    enabled: Boolean(url),
    queryFn: () => qrImage("svg"),
  });
}

/** The application form the merchant asks applicants to fill in. */
export function useApplicationForm() {
  return useQuery({
    queryKey: recruitmentKeys.form,
    queryFn: async () => {
      const { data, error } = await api.GET("/api/v1/recruitment/application-form");
      if (data) return data;
      throw error;
    },
  });
}

export async function saveApplicationForm(body: FormRequest) {
  const { data, error } = await api.PUT("/api/v1/recruitment/application-form", { body });
  if (data) return data;
  throw error;
}

/**
 * Applications by status, in pages of `limit`: the pending queue oldest first (it is worked
 * through in order), history newest first.
 */
export function useApplications(filter: ApplicationStatus | "all", limit: number) {
  return useInfiniteQuery({
    queryKey: recruitmentKeys.applicationList(filter),
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => {
      const { data, error } = await api.GET("/api/v1/distributor-applications", {
        params: {
          query: {
            status: filter === "all" ? undefined : filter,
            sort: filter === "pending" ? "oldest" : "newest",
            limit,
            cursor: pageParam,
          },
        },
      });
      if (data) return data;
      throw error;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Approves an application, or rejects it with a reason; the answer is the application. */
export async function decideApplication(args: {
  id: number;
  action: "approve" | "reject";
  reason?: string;
}): Promise<Application> {
  const path = { application_id: args.id };
  const { data, error } =
    args.action === "approve"
      ? await api.POST("/api/v1/distributor-applications/{application_id}/approve", {
          params: { path },
        })
      : await api.POST("/api/v1/distributor-applications/{application_id}/reject", {
          params: { path },
          body: { reason: args.reason ?? "" },
        });
  if (data) return data;
  throw error;
}
