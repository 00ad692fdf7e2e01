import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import type { Province } from "./types";

export const regionKeys = { all: ["regions"] as const };

/** A cascader option: a province with its cities, or a city. */
export interface RegionOption {
  value: string;
  label: string;
  children?: RegionOption[];
}

/** Regions as the multiple cascader holds them: one path per chosen province or city. */
export type RegionPaths = string[][];

/** The GB/T 2260 provinces and cities the API accepts; they never change while the SPA runs. */
export function useRegions() {
  return useQuery({
    queryKey: regionKeys.all,
    queryFn: async (): Promise<Province[]> => {
      const { data, error } = await api.GET("/api/v1/regions");
      if (data) return data;
      throw error;
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function regionOptions(provinces: Province[]): RegionOption[] {
  return provinces.map((p) => ({
    value: p.code,
    label: p.name,
    children: p.cities.map((c) => ({ value: c.code, label: c.name })),
  }));
}

/** Province codes end in `0000`; a city's province shares its first two digits. */
export function isProvince(code: string): boolean {
  return /^\d{2}0000$/.test(code);
}

/** A code as the cascader's path to it: `[province]` or `[province, city]`. */
export function regionPath(code: string): string[] {
  return isProvince(code) ? [code] : [`${code.slice(0, 2)}0000`, code];
}

/** The code a cascader path ends at. */
export function regionCode(path: readonly (string | number)[]): string {
  return String(path[path.length - 1] ?? "");
}

/** "浙江省 / 杭州市" for `330100`; the code itself when the data does not know it. */
export function regionLabel(provinces: Province[] | undefined, code: string): string {
  const province = provinces?.find((p) => p.code === `${code.slice(0, 2)}0000`);
  if (!province) return code;
  if (isProvince(code)) return province.name;
  const city = province.cities.find((c) => c.code === code);
  return city ? `${province.name} / ${city.name}` : code;
}
