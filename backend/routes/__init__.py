"""One router per resource; backend.main assembles them."""
