# Lab 1 grades adjust() of kmod/vmcs.c natively: the region compiles alone,
# as it uses struct hvlab_ctl_caps and two kernel integer types only.
$(BUILD)/labs/01-vmx-caps/adjust.inc: kmod/vmcs.c
	@mkdir -p $(@D)
	$(call lab_region,1,adjust,$<) >$@
$(BUILD)/labs/01-vmx-caps/grade: $(BUILD)/labs/01-vmx-caps/adjust.inc
