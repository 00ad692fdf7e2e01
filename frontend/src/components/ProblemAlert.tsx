import { Alert } from "antd";
import type { ShownProblem } from "../api/useProblemForm";

export function ProblemAlert({
  problem,
  testId,
}: {
  problem: ShownProblem | null;
  testId?: string;
}) {
  if (!problem) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid={testId}
      message={problem.title}
      description={problem.details.length > 0 ? problem.details.join("\n") : undefined}
      style={{ marginBottom: 16 }}
    />
  );
}
