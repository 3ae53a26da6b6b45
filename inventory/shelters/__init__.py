"""Emergency shelters (应急避难场所): the register, receiving points and travel to them."""
