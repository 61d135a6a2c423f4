"""Pure transformations: article text in, typed values and Arrow tables out."""
