"""Areas (county → township → village) and the depots that belong to them."""
