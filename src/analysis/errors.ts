// Error classes of the analysis module, kept free of the solver so that importing them is cheap.
export class InpError extends Error {
  override name = 'InpError';
}

export class UnknownNodeError extends Error {
  override name = 'UnknownNodeError';
}

export class ObservationError extends Error {
  override name = 'ObservationError';
}
