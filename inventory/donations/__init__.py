"""Donations (捐赠): donors, their pledges, goods received against a pledge as lots whose
source is the donation, money recorded without stock, acknowledgement letters, each
donation's trace and the public disclosure report."""
