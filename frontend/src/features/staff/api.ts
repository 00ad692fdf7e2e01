import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { InviteRequest, StaffMember, UpdateStaffRequest } from "../../api/types";

export const staffKeys = {
  all: ["staff"] as const,
};

export function useStaff() {
  return useQuery({
    queryKey: staffKeys.all,
    queryFn: async (): Promise<StaffMember[]> => {
      const { data, error } = await api.GET("/api/v1/staff");
      if (data) return data;
      throw error;
    },
  });
}

export async function inviteStaff(body: InviteRequest) {
  const { data, error } = await api.POST("/api/v1/staff/invitations", { body });
  if (data) return data;
  throw error;
}

/** A role or status change of one staff member. */
export async function updateStaff(args: { id: number; body: UpdateStaffRequest }) {
  const { data, error } = await api.PATCH("/api/v1/staff/{staff_id}", {
    params: { path: { staff_id: args.id } },
    body: args.body,
  });
  if (data) return data;
  throw error;
}

/** Lifts the lock after too many failed sign-ins. */
export async function unlockStaff(id: number) {
  const { data, error } = await api.POST("/api/v1/staff/{staff_id}/unlock", {
    params: { path: { staff_id: id } },
  });
  if (data) return data;
  throw error;
}
