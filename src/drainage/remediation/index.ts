export { ACTIONS, addProgress, createProject, dashboard, dashboardCell, listProjects, PROJECT_STATUSES, RemediationError, setIndicator } from './repository.ts';
export type { Action, DashboardArea, DashboardCell, Indicator, NewProgress, NewProject, ProgressUpdate, Project, ProjectStatus } from './repository.ts';
