export { InspectionsPage } from './InspectionsPage.tsx';
export { IntrusionsLeaksPage, MisconnectionsPage } from './FindingsRegister.tsx';
